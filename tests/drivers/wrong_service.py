"""Broken: signs for the service `ec2` instead of `opsworks`: C-SIGV4."""
import awsjson_client

awsjson_client.main(service="ec2")
