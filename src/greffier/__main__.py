from greffier.cli import main

main()
