from vistka.cli import main

main()
