extension RouteTable {
    mutating func addDoctorRoutes() {}
}
