"""Export file formats: records as dicts, JSON documents and ZIPs written as streams,
Excel-safe CSV, and the backup format. Pure: they write to any binary stream."""
