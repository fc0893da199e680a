package awsemu

// registerCloudWatch adds the service's operations and pipeline steps. (Being written: see doc.go.)
func registerCloudWatch(e *Emulator) {}
