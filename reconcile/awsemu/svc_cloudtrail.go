package awsemu

// registerCloudTrail adds the service's operations and pipeline steps. (Being written: see doc.go.)
func registerCloudTrail(e *Emulator) {}
