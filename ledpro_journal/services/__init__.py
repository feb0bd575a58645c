"""The use cases. Each function takes the acting user and a session, checks permission in
`permissions`, and raises one of the errors in `errors`."""
