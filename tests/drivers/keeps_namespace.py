"""Broken: does not strip the namespace (`com.amazonaws.opsworks#ValidationException` is
reported as is): C-ERROR-CODE and C-ERROR-UNMODELED."""
import awsjson_client

awsjson_client.main(strip_namespace=False)
