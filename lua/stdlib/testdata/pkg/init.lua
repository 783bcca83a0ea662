-- required by TestNewState as require("pkg")
return { name = "pkg" }
