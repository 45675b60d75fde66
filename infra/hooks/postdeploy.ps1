# azd postdeploy hook (Windows): same as postdeploy.sh. Creates (or updates) the Event Grid
# subscription that posts BlobCreated events from the articles container to ClassifyArticle,
# once the deployed code has made the Functions host create its blobs_extension system key.
$ErrorActionPreference = 'Stop'

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    Write-Error 'postdeploy: the Azure CLI (az) is required; see docs/DEPLOY.md, Prerequisites.'
}

foreach ($name in 'AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'EVENTGRID_SYSTEM_TOPIC_NAME', 'HOST_STORAGE_ACCOUNT_NAME', 'EVENTGRID_DEADLETTER_CONTAINER') {
    if (-not [Environment]::GetEnvironmentVariable($name)) {
        Write-Error "postdeploy: $name is not set; run 'azd provision' first."
    }
}

$template = Join-Path $PSScriptRoot '..' 'articles-subscription.bicep'

$attempt = 1
while ($true) {
    $key = az functionapp keys list --subscription $env:AZURE_SUBSCRIPTION_ID --resource-group $env:AZURE_RESOURCE_GROUP --name $env:AZURE_FUNCTION_APP_NAME `
        --query 'systemKeys.blobs_extension' --output tsv 2>$null
    if ($key) { break }
    if ($attempt -ge 10) {
        Write-Error "postdeploy: the blobs_extension key of $($env:AZURE_FUNCTION_APP_NAME) did not appear; check the app's logs (docs/DEPLOY.md)."
    }
    Write-Host "postdeploy: waiting for the Functions host to create its blobs_extension key ($attempt/10)..."
    $attempt++
    Start-Sleep -Seconds 30
}
Remove-Variable key

# The template reads the key itself with listKeys, so it never lands in a log.
# azd's subscription, not whatever `az account set` chose last.
az deployment group create `
    --subscription $env:AZURE_SUBSCRIPTION_ID `
    --resource-group $env:AZURE_RESOURCE_GROUP `
    --name 'watcher-articles-subscription' `
    --template-file $template `
    --parameters functionAppName=$env:AZURE_FUNCTION_APP_NAME systemTopicName=$env:EVENTGRID_SYSTEM_TOPIC_NAME `
        deadLetterAccountName=$env:HOST_STORAGE_ACCOUNT_NAME deadLetterContainerName=$env:EVENTGRID_DEADLETTER_CONTAINER `
    --output none
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }

Write-Host 'postdeploy: Event Grid subscription articles-blob-created -> ClassifyArticle is in place.'
