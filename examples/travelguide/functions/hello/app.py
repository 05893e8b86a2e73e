import json

def lambda_handler(event, context):
    claims = event['requestContext']['authorizer']['claims']
    username = claims['cognito:username']
    return {
        'statusCode': 200,
        'body': json.dumps({'message': f'Hello {username}!', 'userId': claims['sub']})
    }
