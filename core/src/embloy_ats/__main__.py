from embloy_ats.cli import main

main()
