from mlops_ladder.cli.main import main

main()
