/** The security module's public surface: monitoring rules, events, audit verification, log redaction. */
export { securityRoutes } from './security.routes.ts';
export { listSecurityEvents } from './security.service.ts';
export { runSecurityMonitor, securityJobHandlers, securitySchedules, verifyAndReport, type MonitorConfig } from './security.monitor.ts';
export { LOG_REDACT, redactingLogger } from './redact.ts';
export { clientErrors, frameworkErrors, installInputGuards } from './framework-errors.ts';
