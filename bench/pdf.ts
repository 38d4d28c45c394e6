/**
 * npm run bench:pdf: official PDFs generated per second in one process (target ≥ 50/s): form 01
 * (receipt and appointment, Circular 03/2025) and a one-page receipt-like document, both with the
 * embedded DejaVu fonts, the agency header and a QR code. Rendering only (no database), as the
 * API does it after loading the data.
 */
import { renderDossierForm, type FormDossierData } from '../src/modules/documents/forms-render.ts';
import { renderPdf } from '../src/platform/pdf.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const now = new Date('2026-11-26T02:30:00Z');

function dossier(i: number): FormDossierData {
  const code = `000.00.01.H37-261126-${String(i % 10000).padStart(4, '0')}`;
  const agency = { code: 'TTPVHCC', name: 'Trung tâm Phục vụ hành chính công tỉnh Ninh Bình', parentName: 'Ủy ban nhân dân tỉnh Ninh Bình' };
  return {
    code,
    procedureCode: '1.001193',
    procedureName: 'Đăng ký khai sinh',
    status: 'received',
    channel: 'online',
    applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678', email: 'an@example.vn' },
    addressText: 'Số 12 đường Trần Hưng Đạo, Phường Nam Định',
    submittedAt: now,
    receivedAt: now,
    dueAt: new Date(now.getTime() + 86_400_000),
    finishedAt: null,
    returnedAt: null,
    duration: { value: 1, unit: 'working_days' },
    resultDelivery: 'Nhận trực tiếp, qua bưu chính công ích hoặc bản điện tử trên Cổng Dịch vụ công.',
    components: [
      { name: 'Tờ khai đăng ký khai sinh (theo mẫu)', form: 'original', copies: 1, files: 1 },
      { name: 'Giấy chứng sinh', form: 'original', copies: 1, files: 1 },
      { name: 'Căn cước công dân hoặc giấy tờ tùy thân của người đi đăng ký', form: 'original', copies: 1, files: 1 },
    ],
    receiving: agency,
    competent: { code: 'UBND-13669', name: 'Ủy ban nhân dân phường Nam Định', parentName: null },
    history: [
      { at: now, action: 'receive', actorName: 'Phạm Thị Dung', actorRole: 'reception', fromStatus: 'submitted', toStatus: 'received', note: null, data: {} },
    ],
    stepDeadlines: [],
  };
}

function receipt(i: number): Promise<Buffer> {
  return renderPdf(
    {
      title: `Biên lai thu phí, lệ phí số ${i}`,
      createdAt: now,
      qr: JSON.stringify({ v: 1, bienLai: `BL-${i}`, maHoSo: '000.00.01.H37-261126-0001', soTien: 50000 }),
      header: { parentName: 'Ủy ban nhân dân tỉnh Ninh Bình', agencyName: 'Trung tâm Phục vụ hành chính công tỉnh Ninh Bình', place: 'Ninh Bình', date: now },
    },
    (w) => {
      w.title('BIÊN LAI THU PHÍ, LỆ PHÍ');
      w.subtitle(`Số: BL-${String(i).padStart(6, '0')}`);
      w.field('Người nộp', 'Nguyễn Văn An');
      w.field('Mã hồ sơ', '000.00.01.H37-261126-0001');
      w.table(['STT', 'Khoản thu', 'Số tiền'], [[1, 'Lệ phí cấp bản sao trích lục hộ tịch', '50.000 ₫']], [0.1, 0.6, 0.3], 10);
      w.field('Tổng cộng', '50.000 ₫ (Năm mươi nghìn đồng)');
      w.signatures([{ role: 'NGƯỜI NỘP TIỀN' }, { role: 'NGƯỜI THU TIỀN', name: 'Phạm Thị Dung' }]);
    },
  );
}

async function measure(label: string, make: (i: number) => Promise<Buffer>) {
  for (let i = 0; i < 5; i++) await make(i); // warm up (fonts read, JIT)
  let n = 0;
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    bytes += (await make(n)).length;
    n++;
  }
  const secs = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / n;
  return `| ${label} | ${n} | ${(n / secs).toFixed(1)} | ${((secs * 1000) / n).toFixed(1)} | ${cpuMs.toFixed(1)} | ${(1000 / cpuMs).toFixed(1)} | ${Math.round(bytes / n / 1024)} |`;
}

const rows = [
  await measure('form 01 (giấy tiếp nhận và hẹn trả)', (i) => renderDossierForm('01', dossier(i), { place: 'Ninh Bình', now })),
  await measure('one-page receipt (biên lai)', receipt),
];
const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
console.log(
  `PDF generation, one process, ${SECONDS} s each (target ≥ 50/s); load average ${load} on ${(await import('node:os')).cpus().length} CPUs\n` +
    'per CPU-second = 1000 ÷ CPU ms each: the rate of one unshared core, whatever else the machine runs\n\n' +
    `| document | PDFs | per second (wall) | ms each (wall) | CPU ms each | per CPU-second | KB each |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}`,
);
