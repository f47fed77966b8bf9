"""The boto3 side: the Lambda artifact, publishing it, change sets, guard rails, deploying."""
