etsl run facilities.scheme --participants data-file-type.ods
