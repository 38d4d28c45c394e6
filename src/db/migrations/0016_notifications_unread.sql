-- The portal's header shows a signed-in person's unread notifications on every page they open
-- (src/web/web.routes.ts, countUnread). On (user_id, created_at) alone that count visits every
-- notification the person ever read before it finds the unread ones, and officers collect one a
-- day per late dossier; this partial index holds only the unread ones, so the count reads those.
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
