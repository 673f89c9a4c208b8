/** The id of the role a SecureScheduleTarget creates under its schedule, where SecureSchedule finds it. */
export const TARGET_ROLE_ID = 'TargetRole';
