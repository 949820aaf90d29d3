etsl run facilities.scheme --participants data-cell-too-long.csv   # an id of 131,073 characters
