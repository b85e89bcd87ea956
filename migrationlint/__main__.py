from migrationlint.cli import main

main()
