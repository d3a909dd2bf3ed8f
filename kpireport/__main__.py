from kpireport._entry import main

main()
