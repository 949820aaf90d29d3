etsl run annual.scheme --participants data-missing-year.csv
