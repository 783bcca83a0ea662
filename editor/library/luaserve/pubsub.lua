---@meta luaserve.pubsub

---Publishes to the WebSockets and event streams subscribed to a topic
---(conn:subscribe): in this process, or on every instance sharing a Redis
---store (-store redis://...).
---@class luaserve.pubsub
local pubsub = {}

---Sends message (at most 1 MiB) to topic's subscribers: as text when it is
---UTF-8, else binary; an event stream gets it as an event's data.
---@param topic string
---@param message string
---@param event? {id?: string, event?: string} for event streams: the event's id and name
---@return true|nil ok
---@return string? err
function pubsub.publish(topic, message, event) end

---How many connections of this instance subscribe to topic.
---@param topic string
---@return integer
function pubsub.subscribers(topic) end

return pubsub
