"""What a connector needs to submit applications: the Application model, the capability's
protocols and errors, the answer-encoding helpers and the masking of personal data.

It sits below the connector contract and needs nothing of the service extra; the delivery
pipeline (`embloy_ats.applications`: stores, worker, accepting) builds on it.
"""
