extension RouteTable {
    mutating func addContentRoutes() {}
}
