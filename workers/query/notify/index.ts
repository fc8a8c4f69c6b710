// Notifications of alerting rules: the rule cron calls enqueueAlerts inside its
// state transaction and deliverNotifications after the commit.
export { enqueueAlerts } from "./enqueue";
export { deliverNotifications, type DeliveryOptions, type DeliveryReport } from "./deliver";
export { parseNotifierConfig, validateNotifierConfig, NotifierConfigError, type NotifierConfig } from "./config";
