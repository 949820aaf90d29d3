etsl run facilities.scheme --participants facilities.csv --holdings data-unknown-participant.csv
