etsl run facilities.scheme --participants facilites.csv
