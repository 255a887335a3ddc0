extension RouteTable {
    mutating func addPatientRoutes() {}
}
