extension RouteTable {
    mutating func addProjectRoutes() {}
}
