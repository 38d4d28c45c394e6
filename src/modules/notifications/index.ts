/** The notifications module: what other modules and main.ts use. */
export { deliveriesFor, type DeliveryView } from './notifications.deliveries.ts';
export { countUnread, listInbox, markAllInboxRead, markInboxItemRead, UNREAD_COUNT_CAP, type InboxItem, type InboxPage } from './notifications.inbox.ts';
export { CONSENT_PURPOSES, hasConsent, listConsents, setConsent, type ConsentPurpose, type ConsentView } from './consents.service.ts';
export { notificationHandlers, notificationJobHandlers, notificationSchedules } from './notifications.jobs.ts';
export { startNotificationDelivery, type NotificationDelivery } from './notifications.runtime.ts';
export { notificationRoutes } from './notifications.routes.ts';
export { renderEmail, renderSms, templateForAction, type TemplateKey } from './notifications.templates.ts';
