etsl run facilities.scheme --participants data-file-unreadable.csv   # saved as Latin-1
