import json

def lambda_handler(event, context):
    claims = event['requestContext']['authorizer']['claims']
    username = claims['cognito:username']
    return {
        'statusCode': 200,
        'headers': {'Access-Control-Allow-Origin': '*'},
        'body': json.dumps(f'Hello {username}!')
    }
