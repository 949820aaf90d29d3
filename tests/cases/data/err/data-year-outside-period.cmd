etsl run annual.scheme --participants data-year-outside-period.csv
