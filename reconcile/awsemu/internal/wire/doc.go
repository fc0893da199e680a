// Package wire is the emulator's protocol layer: it reads a request in whichever protocol it
// arrived in (awsJson 1.0/1.1, awsQuery, Smithy RPC v2 CBOR, restXml), tells which service and
// operation it addresses (Router, from each service's Endpoint), turns its body into one generic
// tree that typed inputs decode from (Decode), and writes a typed output or an APIError back in
// the same protocol with AWS's error shape for it.
//
// The tree (see value.go) is the contract between protocols and handlers: a handler never sees
// a protocol. restXml is the exception by nature — headers and payload are members — so a
// restXml handler reads Request.HTTP and Request.Body and returns a Response that writes itself.
//
// Nothing here knows a particular service: CloudWatch's query-compatible error header, SNS's
// XML namespace and the like are fields of the service's Endpoint.
package wire
