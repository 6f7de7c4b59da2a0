"""Broken: reads the error code from the body `__type` only (ignores `X-Amzn-Errortype` and
`code`): C-ERROR-CODE."""
import awsjson_client

awsjson_client.main(read_code="type_only")
