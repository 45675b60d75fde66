// With vnetEnabled: a virtual network the Function App is integrated into, and private endpoints
// for the blob and queue services of both storage accounts (the only services Watcher and the
// Functions host use: no tables, no files), each with its private DNS zone, so the app reaches
// storage inside the network while storage.bicep refuses public traffic. As in the Azure-Samples
// Flex Consumption quickstarts, the app subnet is delegated to Microsoft.App/environments.

@description('Name of the virtual network.')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Names of the storage accounts that get private endpoints.')
param storageAccountNames array

@description('Address space of the network; the app and the private endpoints get a /24 each.')
param addressPrefix string = '10.40.0.0/16'

var services = [
  'blob'
  'queue'
]

// One endpoint per account and service.
var endpoints = flatten(map(storageAccountNames, account => map(services, service => {
  account: account
  service: service
})))

resource network 'Microsoft.Network/virtualNetworks@2025-01-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 0)
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 1)
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for service in services: {
    name: 'privatelink.${service}.${environment().suffixes.storage}'
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (service, i) in services: {
    parent: zones[i]
    name: '${name}-link'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: network.id
      }
    }
  }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2025-01-01' = [
  for endpoint in endpoints: {
    name: 'pe-${endpoint.account}-${endpoint.service}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: network.properties.subnets[1].id
      }
      privateLinkServiceConnections: [
        {
          name: '${endpoint.account}-${endpoint.service}'
          properties: {
            privateLinkServiceId: resourceId('Microsoft.Storage/storageAccounts', endpoint.account)
            groupIds: [
              endpoint.service
            ]
          }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2025-01-01' = [
  for (endpoint, i) in endpoints: {
    parent: privateEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: endpoint.service
          properties: {
            privateDnsZoneId: resourceId('Microsoft.Network/privateDnsZones', 'privatelink.${endpoint.service}.${environment().suffixes.storage}')
          }
        }
      ]
    }
    dependsOn: [
      zones
    ]
  }
]

output appSubnetId string = network.properties.subnets[0].id
