"""What a user asks for, shared by the CLI and the Excel buttons: validate, carry forward."""
