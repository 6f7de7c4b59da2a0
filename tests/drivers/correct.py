"""The stdlib awsJson1_1 client, unbroken: passes the client gate."""
import awsjson_client

awsjson_client.main()
