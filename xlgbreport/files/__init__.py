"""Files in and out: finding them, guarding them, reading and writing workbooks and JSON."""
