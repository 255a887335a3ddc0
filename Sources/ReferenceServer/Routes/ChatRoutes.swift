extension RouteTable {
    mutating func addChatRoutes() {}
}
