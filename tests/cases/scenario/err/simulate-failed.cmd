etsl simulate market.scheme --scenario simulate-failed.toml -o out
