"""Fees: the certification's fee (e.g. the 300 € recevabilité fee), who pays it, payments, receipts."""
