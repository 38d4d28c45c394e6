/**
 * Messages of the portal's small script (upload progress, instant search) and of the worklist's
 * "due within N working days". The script reads its words from data attributes the server writes
 * with these, so it never carries text of its own.
 */
export const vi = {
  'enh.up.progress': 'Đang tải lên {name}: {n}%',
  'enh.up.progressLabel': 'Tiến độ tải lên {name}',
  'enh.up.done': 'Đã tải lên xong {name}.',
  'enh.up.failed': 'Không gửi được tệp (mất kết nối?). Hãy thử lại.',
  'enh.up.busy': 'Đang tải tệp lên: chờ tải xong rồi hãy lưu hoặc nộp.',
  'enh.search.results': 'Kết quả tìm kiếm',
  'enh.wl.dueWithin': 'Đến hạn trong vòng (ngày làm việc, từ 1 đến 30)',
  'enh.wl.dueWithinHint':
    'Chỉ hiện hồ sơ đến hạn trong số ngày này; số ngày cũng dùng cho nhóm "Sắp đến hạn". Để trống: không lọc, "Sắp đến hạn" là {n} ngày làm việc (mặc định).',
  'enh.wl.errDays': 'Số ngày làm việc phải là số nguyên từ 1 đến 30',
  'enh.wl.soonRule': '"Sắp đến hạn": còn không quá {n} ngày làm việc.',
} as const;

export const en: Record<keyof typeof vi, string> = {
  'enh.up.progress': 'Uploading {name}: {n}%',
  'enh.up.progressLabel': 'Upload progress of {name}',
  'enh.up.done': 'Finished uploading {name}.',
  'enh.up.failed': 'The file could not be sent (connection lost?). Please try again.',
  'enh.up.busy': 'A file is uploading: wait until it finishes before you save or submit.',
  'enh.search.results': 'Search results',
  'enh.wl.dueWithin': 'Due within (working days, 1 to 30)',
  'enh.wl.dueWithinHint':
    'Shows only dossiers due within this many working days; the number also sets the "Due soon" tab. Empty: no filter, and "Due soon" means {n} working days (the default).',
  'enh.wl.errDays': 'The number of working days must be a whole number from 1 to 30',
  'enh.wl.soonRule': '"Due soon": at most {n} working days left.',
};
