extension RouteTable {
    mutating func addAssistantRoutes() {}
}
