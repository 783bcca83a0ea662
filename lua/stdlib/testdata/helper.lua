-- required by TestNewState
return { answer = 42 }
