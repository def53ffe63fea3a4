from apprenticeships.cli import main

main()
