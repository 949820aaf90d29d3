from etsl.cli import main

main()
