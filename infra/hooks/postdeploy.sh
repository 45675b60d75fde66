#!/bin/sh
# azd postdeploy hook: creates (or updates) the Event Grid subscription that posts BlobCreated
# events from the articles container to ClassifyArticle. It runs after the code is deployed
# because the webhook needs the app's blobs_extension system key, which the Functions host
# creates when it first loads the Event Grid blob trigger. azd passes the provision outputs
# (AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME, EVENTGRID_SYSTEM_TOPIC_NAME, ...) as
# environment variables.
set -eu

if ! command -v az >/dev/null 2>&1; then
  echo "postdeploy: the Azure CLI (az) is required; see docs/DEPLOY.md, Prerequisites." >&2
  exit 1
fi

for name in AZURE_SUBSCRIPTION_ID AZURE_RESOURCE_GROUP AZURE_FUNCTION_APP_NAME EVENTGRID_SYSTEM_TOPIC_NAME HOST_STORAGE_ACCOUNT_NAME EVENTGRID_DEADLETTER_CONTAINER; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then
    echo "postdeploy: $name is not set; run 'azd provision' first." >&2
    exit 1
  fi
done

template="$(dirname "$0")/../articles-subscription.bicep"

# The key appears once the host has started with the new code; give it a few minutes.
attempt=1
while :; do
  key=$(az functionapp keys list --subscription "$AZURE_SUBSCRIPTION_ID" --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
    --query "systemKeys.blobs_extension" --output tsv 2>/dev/null || true)
  if [ -n "$key" ]; then
    break
  fi
  if [ "$attempt" -ge 10 ]; then
    echo "postdeploy: the blobs_extension key of $AZURE_FUNCTION_APP_NAME did not appear; check the app's logs (docs/DEPLOY.md)." >&2
    exit 1
  fi
  echo "postdeploy: waiting for the Functions host to create its blobs_extension key ($attempt/10)..."
  attempt=$((attempt + 1))
  sleep 30
done
unset key

# The template reads the key itself with listKeys, so it never lands in a log or the shell history.
# azd's subscription, not whatever `az account set` chose last.
az deployment group create \
  --subscription "$AZURE_SUBSCRIPTION_ID" \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --name "watcher-articles-subscription" \
  --template-file "$template" \
  --parameters functionAppName="$AZURE_FUNCTION_APP_NAME" systemTopicName="$EVENTGRID_SYSTEM_TOPIC_NAME" \
    deadLetterAccountName="$HOST_STORAGE_ACCOUNT_NAME" deadLetterContainerName="$EVENTGRID_DEADLETTER_CONTAINER" \
  --output none

echo "postdeploy: Event Grid subscription articles-blob-created -> ClassifyArticle is in place."
