/** Where the admin API lives (docs/admin.md). */
export const ADMIN_BASE_PATH = 'admin/v1';
