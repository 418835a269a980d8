/**
 * Demo data: two users and a catalog of what a Korean electronics-and-lifestyle
 * shop might list. Prices are KRW in whole won; `discountPrice` is the sale price shown
 * beside the list price. Used by `npm run db:seed` and by the benchmarks.
 */
import type { ProductInput } from '../src/modules/product/service';
import type { Role } from '../src/platform/http/auth';

/** Both demo users sign in with this password (spec §0.1). */
export const DEMO_PASSWORD = 'password123';

export const DEMO_USERS: readonly { id: string; email: string; nickname: string; roles: Role[] }[] = [
  { id: '00000000-0000-0000-0000-0000000000ad', email: 'admin@example.com', nickname: '관리자', roles: ['ROLE_SHOPPING_ADMIN'] },
  { id: '00000000-0000-0000-0000-000000000001', email: 'test@example.com', nickname: '테스트유저', roles: ['ROLE_USER'] },
];

export const SEED_CATEGORIES = ['스마트폰', '노트북·태블릿', '오디오', '웨어러블', '가전', '패션', '스포츠', '뷰티'] as const;
export type SeedCategory = (typeof SEED_CATEGORIES)[number];

export interface SeedProduct {
  /** A stable ASCII key of the product. */
  slug: string;
  name: string;
  description: string;
  /** List price, KRW. */
  price: number;
  /** Sale price, KRW, below `price`. */
  discountPrice?: number;
  stock: number;
  featured?: boolean;
  /** Extra gallery views after the main picture (views 2, 3, … of the picture the service draws). */
  gallery?: number;
}

/**
 * Where demo catalogs loaded before the service drew its own pictures point
 * (a host that never answered); `db:seed` moves such products to drawn ones.
 */
export const LEGACY_IMAGE_BASE_URL = 'https://images.example.com/';

export const SEED_CATALOG: Record<SeedCategory, SeedProduct[]> = {
  스마트폰: [
    {
      slug: 'iphone-15-pro-256gb',
      name: '아이폰 15 프로 256GB',
      description: '티타늄 디자인과 A17 Pro 칩을 탑재한 프로 모델. 48MP 메인 카메라, 액션 버튼, USB-C(USB 3) 지원. 색상: 내추럴 티타늄.',
      price: 1_700_000,
      discountPrice: 1_590_000,
      stock: 120,
      featured: true,
      gallery: 3,
    },
    {
      slug: 'iphone-15-128gb',
      name: '아이폰 15 128GB',
      description: '다이내믹 아일랜드와 48MP 카메라를 갖춘 아이폰 15. 컬러 인퓨즈드 글래스 후면, USB-C 충전. 색상: 블루.',
      price: 1_250_000,
      stock: 240,
    },
    {
      slug: 'iphone-15-pro-max-512gb',
      name: '아이폰 15 프로 맥스 512GB',
      description: '5배 망원 테트라프리즘 카메라와 6.7형 Super Retina XDR 디스플레이. 가장 긴 배터리 사용 시간의 아이폰. 색상: 블랙 티타늄.',
      price: 2_200_000,
      stock: 45,
    },
    {
      slug: 'iphone-se-3-64gb',
      name: '아이폰 SE 3세대 64GB',
      description: '터치 ID 홈 버튼과 A15 Bionic 칩을 갖춘 가장 작은 아이폰. 5G 지원, 4.7형 Retina HD 디스플레이.',
      price: 650_000,
      discountPrice: 589_000,
      stock: 80,
    },
    {
      slug: 'galaxy-s24-ultra-256gb',
      name: '갤럭시 S24 울트라 256GB',
      description: 'Galaxy AI 실시간 통역과 서클 투 서치 지원. 티타늄 프레임, 내장 S펜, 200MP 카메라와 100배 스페이스 줌. 색상: 티타늄 그레이.',
      price: 1_698_400,
      discountPrice: 1_549_000,
      stock: 150,
      featured: true,
      gallery: 3,
    },
    {
      slug: 'galaxy-s24-plus-256gb',
      name: '갤럭시 S24+ 256GB',
      description: '6.7형 QHD+ 다이나믹 AMOLED 2X 디스플레이와 4,900mAh 배터리. 45W 초고속 충전 지원. 색상: 코발트 바이올렛.',
      price: 1_353_000,
      stock: 110,
    },
    {
      slug: 'galaxy-s24-256gb',
      name: '갤럭시 S24 256GB',
      description: '한 손에 잡히는 6.2형 플래그십. 나이토그래피로 밤에도 선명한 사진, 7년 OS 업데이트 지원. 색상: 앰버 옐로우.',
      price: 1_155_000,
      discountPrice: 1_049_000,
      stock: 200,
    },
    {
      slug: 'galaxy-z-flip5-256gb',
      name: '갤럭시 Z 플립5 256GB',
      description: '3.4형 플렉스 윈도우로 접은 채 메시지 답장과 셀피 촬영. 틈 없이 접히는 플렉스 힌지. 색상: 민트.',
      price: 1_399_200,
      discountPrice: 1_199_000,
      stock: 70,
    },
    {
      slug: 'galaxy-z-fold5-512gb',
      name: '갤럭시 Z 폴드5 512GB',
      description: '펼치면 7.6형 대화면 태블릿. 멀티 윈도우와 태스크바로 PC처럼 멀티태스킹, S펜 폴드 에디션 호환.',
      price: 2_339_800,
      stock: 35,
    },
    {
      slug: 'galaxy-a54-5g',
      name: '갤럭시 A54 5G 128GB',
      description: '50MP OIS 카메라와 120Hz 슈퍼 AMOLED 디스플레이를 갖춘 실속형 5G 스마트폰. IP67 방수방진.',
      price: 599_500,
      discountPrice: 499_000,
      stock: 260,
    },
    {
      slug: 'google-pixel-8-pro',
      name: 'Google Pixel 8 Pro 128GB',
      description: 'Tensor G3 chip with Google AI photo tools: Magic Editor, Best Take and Audio Magic Eraser. 6.7" Super Actua display, seven years of updates. Global version.',
      price: 1_390_000,
      stock: 25,
    },
    {
      slug: 'apple-magsafe-silicone-case-15-pro',
      name: '아이폰 15 프로 MagSafe 실리콘 케이스',
      description: '부드러운 실리콘 외관과 극세사 안감. 내장 자석으로 MagSafe 충전기와 지갑이 정확히 붙습니다. 색상: 스톰 블루.',
      price: 69_000,
      stock: 480,
    },
    {
      slug: 'samsung-45w-charger',
      name: '삼성 45W 초고속 충전기 (C to C 케이블 포함)',
      description: 'PD 3.0 PPS 규격 45W 초고속 충전. 갤럭시 S24 울트라, 갤럭시 탭, 노트북까지 하나로 충전.',
      price: 49_000,
      discountPrice: 39_000,
      stock: 500,
    },
    {
      slug: 'anker-magnetic-power-bank-10000',
      name: 'Anker 622 Magnetic Battery 10,000mAh',
      description: 'MagSafe-compatible magnetic power bank with a fold-out stand. Charges an iPhone 15 about 1.5 times; USB-C in and out.',
      price: 79_000,
      discountPrice: 65_900,
      stock: 310,
    },
  ],

  '노트북·태블릿': [
    {
      slug: 'macbook-air-13-m3',
      name: '맥북 에어 13 M3 8GB 256GB',
      description: '1.13kg의 팬리스 디자인에 M3 칩 탑재. 최대 18시간 배터리, 13.6형 Liquid Retina 디스플레이, 미드나이트 색상.',
      price: 1_590_000,
      discountPrice: 1_469_000,
      stock: 90,
      featured: true,
      gallery: 2,
    },
    {
      slug: 'macbook-air-15-m3',
      name: '맥북 에어 15 M3 16GB 512GB',
      description: '15.3형 대화면과 6스피커 사운드 시스템. 외장 디스플레이 2대 연결 지원(덮개 닫은 상태). 색상: 스타라이트.',
      price: 2_390_000,
      stock: 40,
    },
    {
      slug: 'macbook-pro-14-m3-pro',
      name: '맥북 프로 14 M3 Pro 18GB 512GB',
      description: '11코어 CPU, 14코어 GPU의 M3 Pro. Liquid Retina XDR 디스플레이와 HDMI·SDXC 슬롯, 최대 18시간 배터리. 스페이스 블랙.',
      price: 2_990_000,
      stock: 30,
    },
    {
      slug: 'lg-gram-16-2024',
      name: 'LG 그램 16 (16Z90S) 인텔 코어 울트라 7',
      description: '1,199g 초경량 16형 노트북. 인텔 코어 울트라 7 155H, 16GB LPDDR5X, 512GB NVMe SSD, 77Wh 대용량 배터리.',
      price: 2_149_000,
      discountPrice: 1_899_000,
      stock: 55,
    },
    {
      slug: 'lg-gram-14-2024',
      name: 'LG 그램 14 (14Z90S) 인텔 코어 울트라 5',
      description: '가방 속 부담 없는 1,120g. WUXGA IPS 디스플레이와 썬더볼트 4 포트 2개, MIL-STD 810H 내구성 테스트 통과.',
      price: 1_699_000,
      stock: 60,
    },
    {
      slug: 'galaxy-book4-pro-14',
      name: '갤럭시 북4 프로 14 (NT940XGQ)',
      description: '3K 다이나믹 AMOLED 2X 터치 디스플레이, 인텔 코어 울트라 프로세서. 갤럭시 스마트폰과 클립보드·파일 공유 연동.',
      price: 2_190_000,
      discountPrice: 1_990_000,
      stock: 45,
    },
    {
      slug: 'ipad-air-11-m2',
      name: '아이패드 에어 11 M2 Wi-Fi 128GB',
      description: 'M2 칩과 가로형 전면 카메라, 애플 펜슬 프로 지원. 필기와 사진 편집, 게임까지 가볍게. 색상: 퍼플.',
      price: 899_000,
      stock: 130,
      featured: true,
      gallery: 2,
    },
    {
      slug: 'ipad-pro-11-m4',
      name: '아이패드 프로 11 M4 Wi-Fi 256GB',
      description: '5.3mm 두께에 울트라 Retina XDR 탠덤 OLED 디스플레이. M4 칩, 썬더볼트 / USB 4 포트. 색상: 스페이스 블랙.',
      price: 1_499_000,
      stock: 50,
    },
    {
      slug: 'ipad-10th-gen-64gb',
      name: '아이패드 10세대 Wi-Fi 64GB',
      description: '10.9형 Liquid Retina 디스플레이와 A14 Bionic. 상단 버튼 터치 ID, USB-C. 온라인 수업과 영상 감상에 알맞은 기본 모델.',
      price: 679_000,
      discountPrice: 529_000,
      stock: 220,
    },
    {
      slug: 'ipad-mini-6',
      name: '아이패드 미니 6세대 Wi-Fi 64GB',
      description: '한 손에 쥐는 8.3형 태블릿. A15 Bionic, 센터 스테이지 전면 카메라, 애플 펜슬 2세대 무선 충전 지원.',
      price: 769_000,
      stock: 65,
    },
    {
      slug: 'galaxy-tab-s9-fe',
      name: '갤럭시 탭 S9 FE Wi-Fi 128GB',
      description: 'S펜 기본 제공, IP68 방수방진 10.9형 태블릿. 90Hz 디스플레이와 8,000mAh 배터리. 색상: 라벤더.',
      price: 629_000,
      discountPrice: 549_000,
      stock: 140,
    },
    {
      slug: 'galaxy-tab-s9-ultra',
      name: '갤럭시 탭 S9 울트라 Wi-Fi 256GB',
      description: '14.6형 다이나믹 AMOLED 2X 초대형 화면과 스냅드래곤 8 Gen 2 for Galaxy. 쿼드 스피커와 S펜 포함.',
      price: 1_598_300,
      stock: 28,
    },
    {
      slug: 'thinkpad-x1-carbon-gen11',
      name: 'Lenovo ThinkPad X1 Carbon Gen 11',
      description: '14" 2.2K IPS business ultrabook, Intel Core i7-1365U vPro, 16GB LPDDR5, 512GB SSD, 1.12kg carbon-fibre chassis and the classic TrackPoint keyboard.',
      price: 2_490_000,
      stock: 18,
    },
    {
      slug: 'apple-pencil-pro',
      name: '애플 펜슬 프로',
      description: '스퀴즈 제스처, 배럴 롤, 햅틱 피드백을 지원하는 새로운 애플 펜슬. 나의 찾기로 위치 확인 가능. M4 아이패드 프로, M2 아이패드 에어 호환.',
      price: 195_000,
      stock: 300,
    },
    {
      slug: 'logitech-mx-master-3s',
      name: 'Logitech MX Master 3S',
      description: 'Quiet-click wireless mouse with an 8,000 DPI sensor that tracks on glass, MagSpeed scroll wheel and Easy-Switch across three devices. Graphite.',
      price: 139_000,
      discountPrice: 119_000,
      stock: 350,
    },
    {
      slug: 'logitech-mx-keys-s',
      name: '로지텍 MX Keys S 무선 키보드',
      description: '구형 키캡과 스마트 백라이트를 갖춘 풀사이즈 무선 키보드. 블루투스·Logi Bolt 동시 지원, 최대 3대 기기 전환. 한글 각인.',
      price: 159_000,
      stock: 180,
    },
  ],

  오디오: [
    {
      slug: 'airpods-pro-2-usb-c',
      name: '에어팟 프로 2세대 (USB-C)',
      description: 'H2 칩의 액티브 노이즈 캔슬링과 적응형 오디오, 대화 인식. 개인 맞춤형 공간 음향, IP54 먼지·땀·방수 케이스.',
      price: 359_000,
      discountPrice: 319_000,
      stock: 260,
      featured: true,
      gallery: 2,
    },
    {
      slug: 'airpods-3',
      name: '에어팟 3세대 (Lightning 케이스)',
      description: '공간 음향과 적응형 EQ, 최대 6시간 재생. 땀과 물에 강한 IPX4 등급의 오픈형 무선 이어폰.',
      price: 259_000,
      stock: 150,
    },
    {
      slug: 'airpods-max',
      name: '에어팟 맥스',
      description: '고품질 오버이어 헤드폰. 메시 캐노피 헤드밴드와 메모리 폼 이어 쿠션, 액티브 노이즈 캔슬링과 주변음 허용 모드. 색상: 스페이스 그레이.',
      price: 769_000,
      stock: 40,
    },
    {
      slug: 'galaxy-buds2-pro',
      name: '갤럭시 버즈2 프로',
      description: '24bit Hi-Fi 사운드와 인텔리전트 ANC. 360 오디오 헤드 트래킹, 갤럭시 기기 간 자동 전환. 색상: 보라 퍼플.',
      price: 279_000,
      discountPrice: 199_000,
      stock: 210,
    },
    {
      slug: 'galaxy-buds-fe',
      name: '갤럭시 버즈 FE',
      description: '액티브 노이즈 캔슬링을 합리적인 가격에. 윙팁으로 안정적인 착용감, 최대 30시간 재생(케이스 포함).',
      price: 119_000,
      discountPrice: 89_000,
      stock: 330,
    },
    {
      slug: 'sony-wh-1000xm5',
      name: 'Sony WH-1000XM5 Wireless Headphones',
      description: 'Industry-leading noise cancelling with eight microphones and the Auto NC Optimizer. 30-hour battery, quick charge (3 minutes for 3 hours), multipoint Bluetooth. Black.',
      price: 459_000,
      discountPrice: 399_000,
      stock: 95,
      featured: true,
    },
    {
      slug: 'sony-wf-1000xm5',
      name: '소니 WF-1000XM5 노이즈캔슬링 무선 이어폰',
      description: '더 작아진 본체에 통합 프로세서 V2와 다이나믹 드라이버 X. LDAC 지원 하이레졸루션 무선 재생, 뼈 전도 센서로 통화 품질 개선.',
      price: 359_000,
      stock: 85,
    },
    {
      slug: 'bose-qc-ultra-headphones',
      name: '보스 QuietComfort Ultra 헤드폰',
      description: '보스 이머시브 오디오와 CustomTune 기술로 귀에 맞춘 노이즈 캔슬링. 최대 24시간 재생, 접이식 디자인. 색상: 샌드스톤.',
      price: 499_000,
      stock: 55,
    },
    {
      slug: 'jbl-flip-6',
      name: 'JBL Flip 6 블루투스 스피커',
      description: '레이스트랙 우퍼와 트위터의 2-way 구성. IP67 방수방진, 12시간 재생, PartyBoost로 스피커 여러 대 연결.',
      price: 149_000,
      discountPrice: 119_000,
      stock: 190,
    },
    {
      slug: 'marshall-emberton-ii',
      name: 'Marshall Emberton II',
      description: 'Compact portable speaker with the signature Marshall sound, True Stereophonic 360° audio, 30+ hours of playtime and IP67 dust and water resistance. Black & Brass.',
      price: 229_000,
      stock: 75,
    },
    {
      slug: 'sennheiser-momentum-tw4',
      name: '젠하이저 모멘텀 트루 와이어리스 4',
      description: '7mm 트랜스듀서의 젠하이저 시그니처 사운드. 블루투스 5.4, aptX Lossless, 적응형 노이즈 캔슬링. 색상: 블랙 그래파이트.',
      price: 449_000,
      discountPrice: 389_000,
      stock: 38,
    },
    {
      slug: 'qcy-t13-anc',
      name: 'QCY T13 ANC 무선 이어폰',
      description: '가성비 노이즈 캔슬링 무선 이어폰. 4마이크 ENC 통화, 최대 30시간 재생, 저지연 게임 모드.',
      price: 29_900,
      discountPrice: 24_900,
      stock: 500,
    },
    {
      slug: 'beats-studio-buds-plus',
      name: 'Beats Studio Buds +',
      description: 'True wireless noise cancelling earbuds with three times more microphones than Studio Buds, up to 36 hours with the case, and one-touch pairing on iOS and Android. Transparent.',
      price: 229_000,
      stock: 120,
    },
  ],

  웨어러블: [
    {
      slug: 'apple-watch-series-9-45mm',
      name: '애플워치 시리즈 9 GPS 45mm 알루미늄',
      description: 'S9 SiP와 더블 탭 제스처, 최대 2000니트의 더 밝은 디스플레이. 심전도·혈중 산소 측정. 미드나이트 스포츠 밴드.',
      price: 649_000,
      discountPrice: 579_000,
      stock: 140,
      featured: true,
      gallery: 2,
    },
    {
      slug: 'apple-watch-ultra-2',
      name: '애플워치 울트라 2 49mm 티타늄',
      description: '최대 3000니트 디스플레이와 정밀 이중 주파수 GPS. 다이빙 컴퓨터, 최대 36시간 배터리. 오렌지 알파인 루프.',
      price: 1_149_000,
      stock: 35,
    },
    {
      slug: 'apple-watch-se-2-40mm',
      name: '애플워치 SE 2세대 GPS 40mm',
      description: '충돌 감지와 넘어짐 감지, 심박수 알림을 갖춘 입문용 애플워치. 스타라이트 알루미늄 케이스.',
      price: 359_000,
      stock: 160,
    },
    {
      slug: 'galaxy-watch6-classic-47mm',
      name: '갤럭시 워치6 클래식 47mm 블루투스',
      description: '돌아온 회전 베젤과 1.5형 슈퍼 AMOLED. 체성분 측정, 수면 코칭, 불규칙 심장 리듬 알림 지원. 색상: 블랙.',
      price: 459_800,
      discountPrice: 399_000,
      stock: 90,
    },
    {
      slug: 'galaxy-watch6-44mm',
      name: '갤럭시 워치6 44mm 블루투스',
      description: '더 얇은 베젤로 넓어진 화면, 개인 맞춤 심박 구간 운동. 색상: 그라파이트.',
      price: 359_700,
      discountPrice: 299_000,
      stock: 120,
    },
    {
      slug: 'galaxy-fit3',
      name: '갤럭시 핏3',
      description: '1.6형 대화면 AMOLED 피트니스 밴드. 100가지 이상 운동 모드, 최대 13일 배터리, 5ATM 방수.',
      price: 89_000,
      stock: 400,
    },
    {
      slug: 'garmin-forerunner-265',
      name: 'Garmin Forerunner 265',
      description: 'GPS running smartwatch with a bright AMOLED display, training readiness, HRV status and race-day predictions. Up to 13 days in smartwatch mode. Black/Powder Grey.',
      price: 599_000,
      discountPrice: 549_000,
      stock: 48,
    },
    {
      slug: 'garmin-fenix-7-pro-solar',
      name: '가민 피닉스 7 프로 솔라',
      description: '파워 글래스 태양광 충전과 내장 LED 손전등. 멀티밴드 GPS, 지형도 내장, 최대 22일(스마트워치 모드) 배터리.',
      price: 1_099_000,
      stock: 20,
    },
    {
      slug: 'fitbit-charge-6',
      name: '핏빗 차지 6',
      description: '구글 지도·월렛 지원 트래커. 정확해진 심박 측정, 스트레스 관리, 최대 7일 배터리. 색상: 옵시디언.',
      price: 219_000,
      discountPrice: 179_000,
      stock: 70,
    },
    {
      slug: 'xiaomi-smart-band-8',
      name: '샤오미 스마트 밴드 8',
      description: '1.62형 AMOLED와 150가지 이상 운동 모드. 러닝 클립으로 신발에 달면 케이던스 측정, 최대 16일 배터리.',
      price: 49_900,
      stock: 450,
    },
    {
      slug: 'galaxy-ring',
      name: '갤럭시 링 (사이즈 9)',
      description: '2.3g 티타늄 스마트 링. 수면 점수, 에너지 점수, 심박 모니터링을 24시간 착용감 없이. 충전 케이스 포함. 색상: 티타늄 블랙.',
      price: 499_400,
      stock: 30,
    },
    {
      slug: 'amazfit-gtr-4',
      name: 'Amazfit GTR 4',
      description: 'Classic round smartwatch with dual-band GPS, 150+ sport modes, Alexa built in and up to 14 days of battery life. Superspeed Black.',
      price: 259_000,
      discountPrice: 199_000,
      stock: 85,
    },
  ],

  가전: [
    {
      slug: 'dyson-airwrap-complete-long',
      name: '다이슨 에어랩 멀티 스타일러 컴플리트 롱',
      description: '과도한 열 없이 코안다 기류로 컬, 웨이브, 스무딩, 볼륨까지. 긴 머리용 배럴 구성과 프레젠테이션 케이스 포함. 색상: 니켈/코퍼.',
      price: 799_000,
      discountPrice: 749_000,
      stock: 60,
      featured: true,
      gallery: 3,
    },
    {
      slug: 'dyson-supersonic-hd15',
      name: '다이슨 슈퍼소닉 헤어드라이어 HD15',
      description: '초당 40회 온도 측정으로 모발 손상을 줄이는 헤어드라이어. 플라이어웨이 노즐 등 마그네틱 툴 5종 포함.',
      price: 599_000,
      stock: 75,
    },
    {
      slug: 'dyson-v15-detect',
      name: '다이슨 V15 디텍트 컴플리트 무선청소기',
      description: '레이저로 보이지 않던 미세먼지까지 비추고 피에조 센서가 입자 크기와 양을 실시간 표시. 최대 60분 사용.',
      price: 1_290_000,
      discountPrice: 1_090_000,
      stock: 40,
    },
    {
      slug: 'bespoke-jet-ai',
      name: '삼성 비스포크 제트 AI 무선청소기',
      description: '최대 280W 흡입력과 AI 절전 모드. 올인원 청정스테이션으로 먼지통 자동 비움. 색상: 새틴 그레이지.',
      price: 1_390_000,
      stock: 32,
    },
    {
      slug: 'lg-puricare-360-hit',
      name: 'LG 퓨리케어 360° 공기청정기 알파',
      description: '360° 클린부스터와 G필터로 넓은 거실도 빠르게. 초미세먼지·가스·냄새 센서, ThinQ 앱 원격 제어. 적용 면적 66㎡.',
      price: 899_000,
      discountPrice: 789_000,
      stock: 45,
    },
    {
      slug: 'cuckoo-twin-pressure-6',
      name: '쿠쿠 트윈프레셔 IH 전기압력밥솥 6인용',
      description: '고압과 무압을 한 솥에서 선택하는 트윈프레셔. 분리형 커버로 세척이 쉽고 음성 안내 지원.',
      price: 459_000,
      discountPrice: 379_000,
      stock: 110,
    },
    {
      slug: 'philips-airfryer-xxl',
      name: '필립스 에어프라이어 XXL HD9860',
      description: '1.4kg 대용량 바스켓과 스마트 센싱 기술. 지방 제거 기술로 기름 없이 바삭하게, 식기세척기 사용 가능 부품.',
      price: 359_000,
      stock: 95,
    },
    {
      slug: 'nespresso-vertuo-pop',
      name: '네스프레소 버츄오 팝 캡슐 커피머신',
      description: '바코드를 읽어 캡슐마다 최적의 추출. 에스프레소부터 머그(230ml)까지, 컴팩트한 크기. 색상: 민트 그린.',
      price: 179_000,
      discountPrice: 129_000,
      stock: 170,
    },
    {
      slug: 'breville-barista-express',
      name: 'Breville Barista Express BES870',
      description: 'Espresso machine with an integrated conical burr grinder, precise PID temperature control and a manual steam wand for microfoam milk. Brushed stainless steel.',
      price: 899_000,
      stock: 22,
    },
    {
      slug: 'balmuda-the-toaster',
      name: '발뮤다 더 토스터 K05C',
      description: '스팀 테크놀로지로 겉은 바삭하고 속은 촉촉하게. 치즈 토스트, 바게트, 크루아상 모드. 색상: 블랙.',
      price: 369_000,
      stock: 50,
    },
    {
      slug: 'roborock-s8-maxv-ultra',
      name: '로보락 S8 MaxV Ultra 로봇청소기',
      description: '10,000Pa 흡입력과 플렉시암 사이드 브러시. 온수 걸레 세척, 자동 먼지 비움·급수·배수 올인원 도크.',
      price: 1_990_000,
      discountPrice: 1_790_000,
      stock: 25,
    },
    {
      slug: 'lg-standbyme-27',
      name: 'LG 스탠바이미 27ART10AKPL',
      description: '바퀴 달린 무빙 스탠드로 어디든 옮기는 27형 터치 스크린. 배터리 내장 최대 3시간 시청, 미러링 지원.',
      price: 1_050_000,
      stock: 30,
    },
    {
      slug: 'winix-mini-dehumidifier',
      name: '위닉스 뽀송 제습기 16L',
      description: '하루 16L 제습, 1등급 에너지 효율. 연속 배수 호스와 의류 건조 모드로 장마철 빨래도 뽀송하게.',
      price: 329_000,
      discountPrice: 279_000,
      stock: 130,
    },
  ],

  패션: [
    {
      slug: 'nike-air-force-1-07-white',
      name: '나이키 에어포스 1 \'07 트리플 화이트',
      description: '1982년 농구화에서 출발한 스테디셀러. 풀 그레인 가죽 갑피와 나이키 에어 쿠셔닝. 사이즈 230–300.',
      price: 139_000,
      stock: 300,
      featured: true,
      gallery: 2,
    },
    {
      slug: 'nike-dunk-low-panda',
      name: '나이키 덩크 로우 레트로 블랙 화이트',
      description: '일명 "판다" 컬러웨이. 80년대 농구 코트 디자인을 살린 로우탑 스니커즈, 패딩 칼라로 편안한 착화감.',
      price: 129_000,
      stock: 180,
    },
    {
      slug: 'adidas-samba-og',
      name: '아디다스 삼바 OG 화이트 그린',
      description: '실내 축구화에서 스트리트 아이콘이 된 삼바. 소프트 가죽 갑피, 스웨이드 T-토 오버레이, 검 러버 아웃솔.',
      price: 139_000,
      discountPrice: 125_000,
      stock: 150,
    },
    {
      slug: 'new-balance-530-white-silver',
      name: '뉴발란스 530 화이트 실버',
      description: '2000년대 러닝화 감성의 레트로 스니커즈. 메쉬와 합성 가죽 갑피, ABZORB 미드솔 쿠셔닝.',
      price: 119_000,
      discountPrice: 99_000,
      stock: 220,
    },
    {
      slug: 'new-balance-993-grey',
      name: '뉴발란스 993 메이드 인 USA 그레이',
      description: '미국 공장에서 생산되는 클래식 러닝 스니커즈. 피그스킨 스웨이드와 메쉬 갑피, ENCAP 미드솔.',
      price: 299_000,
      stock: 40,
    },
    {
      slug: 'converse-chuck-70-hi-black',
      name: '컨버스 척 70 하이 블랙',
      description: '12온스 캔버스와 OrthoLite 인솔로 업그레이드한 척 테일러 빈티지 라인. 유광 미드솔.',
      price: 95_000,
      stock: 260,
    },
    {
      slug: 'tnf-1996-eco-nuptse',
      name: '노스페이스 1996 에코 눕시 재킷',
      description: '700 필파워 구스다운 충전재와 재생 나일론 립스탑 겉감. 후드 수납형 스탠드 칼라. 색상: 블랙.',
      price: 359_000,
      discountPrice: 299_000,
      stock: 90,
    },
    {
      slug: 'patagonia-retro-x',
      name: 'Patagonia Classic Retro-X Fleece Jacket',
      description: 'Windproof deep-pile fleece made with recycled polyester, a barrier membrane and a chest pocket with a contrast trim. Natural / Smolder Blue.',
      price: 329_000,
      stock: 35,
    },
    {
      slug: 'levis-501-original',
      name: "Levi's 501 Original Fit Jeans",
      description: 'The original button-fly straight-leg jean since 1873. 100% cotton denim, sits at the waist, regular through the thigh. Medium Stonewash.',
      price: 129_000,
      discountPrice: 89_000,
      stock: 200,
    },
    {
      slug: 'uniqlo-airism-cotton-oversized-tee',
      name: '유니클로 에어리즘 코튼 오버사이즈 티셔츠',
      description: '코튼의 질감과 에어리즘의 쾌적함. 여유 있는 실루엣의 반소매 크루넥, 남녀 공용. 색상: 오프화이트.',
      price: 19_900,
      stock: 500,
    },
    {
      slug: 'musinsa-standard-crewneck-sweat',
      name: '무신사 스탠다드 베이식 크루넥 스웨트셔츠',
      description: '기모 안감의 탄탄한 프렌치 테리 원단. 사계절 레이어드하기 좋은 기본 맨투맨. 색상: 멜란지 그레이.',
      price: 29_900,
      discountPrice: 24_900,
      stock: 420,
    },
    {
      slug: 'kangol-bermuda-bucket',
      name: '캉골 버뮤다 버킷햇',
      description: '부드러운 테리 조직에 캥거루 로고 자수. 접어서 가방에 넣기 좋은 사계절 버킷햇. 색상: 블랙.',
      price: 69_000,
      stock: 160,
    },
    {
      slug: 'dr-martens-1460',
      name: '닥터마틴 1460 스무스 8홀 부츠',
      description: '1960년 4월 1일에 태어난 오리지널 8홀 부츠. 스무스 레더, 옐로 스티치, 에어쿠션 솔.',
      price: 259_000,
      discountPrice: 219_000,
      stock: 65,
    },
    {
      slug: 'crocs-classic-clog',
      name: '크록스 클래식 클로그',
      description: '크로슬라이트 소재로 가볍고 물에 강한 클로그. 지비츠 참으로 꾸미는 재미, 뒤꿈치 스트랩.',
      price: 59_900,
      stock: 380,
    },
  ],

  스포츠: [
    {
      slug: 'nike-pegasus-40',
      name: '나이키 페가수스 40 로드 러닝화',
      description: '줌 에어 유닛 2개와 리액트 폼의 반응성 좋은 데일리 러닝화. 미드풋 밴드로 안정감 있는 착용.',
      price: 149_000,
      discountPrice: 119_000,
      stock: 190,
    },
    {
      slug: 'asics-gel-kayano-30',
      name: '아식스 젤 카야노 30',
      description: '4D 가이던스 시스템으로 안정성을 더한 스테빌리티 러닝화. FF BLAST PLUS ECO 쿠셔닝, 장거리 훈련용.',
      price: 199_000,
      stock: 110,
    },
    {
      slug: 'hoka-clifton-9',
      name: 'HOKA Clifton 9',
      description: 'Lighter and more cushioned than ever: a responsive compression-moulded EVA midsole, early-stage Meta-Rocker and a breathable knit upper. Black / White.',
      price: 189_000,
      stock: 95,
    },
    {
      slug: 'yonex-astrox-88d-pro',
      name: '요넥스 아스트록스 88D 프로 배드민턴 라켓',
      description: '후위 공격형 헤드 헤비 밸런스. 로테이셔널 제너레이터 시스템으로 연속 스매시에 유리. 4U G5, 스트링 미포함.',
      price: 289_000,
      stock: 60,
    },
    {
      slug: 'wilson-evolution-basketball',
      name: '윌슨 에볼루션 실내용 농구공 7호',
      description: '미국 고교 리그가 가장 많이 쓰는 실내용 농구공. 마이크로파이버 복합 가죽과 쿠션 코어로 부드러운 그립.',
      price: 89_000,
      discountPrice: 75_000,
      stock: 140,
    },
    {
      slug: 'adidas-ucl-pro-ball',
      name: '아디다스 UCL 프로 공인구 5호',
      description: '유럽 챔피언스리그 공식 경기구. 열접합 이음새 없는 패널과 텍스처 표면으로 정확한 궤적. FIFA Quality Pro 인증.',
      price: 199_000,
      stock: 45,
    },
    {
      slug: 'manduka-pro-yoga-mat-6mm',
      name: '만두카 PRO 요가 매트 6mm',
      description: '평생 보증의 고밀도 쿠션 요가 매트. 닫힌 셀 표면으로 땀이 스며들지 않아 위생적. 180cm, 색상: 블랙 매직.',
      price: 169_000,
      discountPrice: 149_000,
      stock: 80,
    },
    {
      slug: 'bowflex-selecttech-552',
      name: '바우플렉스 셀렉트텍 552 덤벨 세트',
      description: '다이얼만 돌리면 2kg부터 24kg까지 15단계 무게 조절. 덤벨 15세트를 대신하는 홈트레이닝 필수품 (2개 1조).',
      price: 699_000,
      stock: 25,
    },
    {
      slug: 'taylormade-stealth2-driver',
      name: '테일러메이드 스텔스2 드라이버 10.5°',
      description: '60겹 카본 트위스트 페이스와 넓어진 관용성. 벤투스 레드 샤프트(R), 헤드커버 포함.',
      price: 790_000,
      discountPrice: 649_000,
      stock: 18,
    },
    {
      slug: 'callaway-chrome-soft-12',
      name: '캘러웨이 크롬 소프트 골프공 (12구)',
      description: '하이브리드 커버와 정밀 테크놀로지 코어로 그린 주변 컨트롤이 뛰어난 4피스 투어 볼. 화이트.',
      price: 69_000,
      stock: 350,
    },
    {
      slug: 'coleman-tough-dome-3025',
      name: '콜맨 터프 돔 3025 텐트',
      description: '3~4인 가족용 돔 텐트. 내수압 2,000mm 플라이, 넓은 전실과 메쉬 창으로 여름에도 쾌적하게.',
      price: 459_000,
      discountPrice: 399_000,
      stock: 30,
    },
    {
      slug: 'snow-peak-titanium-mug-450',
      name: 'Snow Peak Titanium Single Wall Mug 450',
      description: 'Ultralight titanium camp mug with folding handles and volume markings. Goes straight on the stove. Made in Niigata, Japan.',
      price: 59_000,
      stock: 120,
    },
    {
      slug: 'garmin-edge-540',
      name: '가민 엣지 540 자전거 속도계',
      description: '코스 난이도 분석 클라임프로와 파워 가이드. 멀티밴드 GNSS, 최대 26시간 배터리, 버튼 조작형.',
      price: 449_000,
      stock: 28,
    },
    {
      slug: 'thermos-vacuum-bottle-750',
      name: '써모스 진공단열 원터치 보틀 750ml',
      description: '한 손으로 여닫는 원터치 캡과 스테인리스 진공 이중 구조. 보온 12시간, 보냉 24시간. 색상: 매트 블랙.',
      price: 39_900,
      discountPrice: 32_900,
      stock: 410,
    },
  ],

  뷰티: [
    {
      slug: 'sulwhasoo-first-care-serum-90',
      name: '설화수 윤조에센스 90ml',
      description: '세안 후 첫 단계에 바르는 한방 부스팅 세럼. 자음단 성분이 다음 단계 스킨케어의 흡수를 돕습니다.',
      price: 170_000,
      discountPrice: 149_000,
      stock: 150,
      featured: true,
      gallery: 2,
    },
    {
      slug: 'laneige-water-sleeping-mask',
      name: '라네즈 워터 슬리핑 마스크 70ml',
      description: '자는 동안 수분을 채우는 젤 타입 슬리핑 팩. 스퀄레인과 프로바이오틱스 성분으로 아침까지 촉촉하게.',
      price: 32_000,
      stock: 380,
    },
    {
      slug: 'innisfree-green-tea-serum-80',
      name: '이니스프리 그린티 씨드 히알루론산 세럼 80ml',
      description: '제주 녹차와 녹차씨 오일의 수분 세럼. 가볍게 흡수되어 끈적임 없이 속건조를 잡아줍니다.',
      price: 32_000,
      discountPrice: 25_600,
      stock: 300,
    },
    {
      slug: 'estee-lauder-anr-50',
      name: '에스티로더 어드밴스드 나이트 리페어 50ml',
      description: '일명 "갈색병". 밤사이 피부 본연의 회복 과정을 돕는 세럼으로 더 매끄럽고 탄력 있는 피부결.',
      price: 155_000,
      stock: 90,
    },
    {
      slug: 'lancome-genifique-50',
      name: '랑콤 어드밴스드 제니피끄 세럼 50ml',
      description: '프리바이오틱스와 프로바이오틱스 추출물로 피부 장벽을 강화하는 세럼. 빛나는 피부 광채.',
      price: 159_000,
      discountPrice: 139_000,
      stock: 75,
    },
    {
      slug: 'kiehls-ultra-facial-cream-50',
      name: "Kiehl's Ultra Facial Cream 50ml",
      description: 'Lightweight 24-hour daily moisturiser with squalane and glacial glycoprotein. Suitable for all skin types, including sensitive skin.',
      price: 52_000,
      stock: 210,
    },
    {
      slug: 'drjart-cicapair-cream-50',
      name: '닥터자르트 시카페어 크림 50ml',
      description: '병풀 추출물이 예민해진 피부를 진정시키는 그린 컬러 크림. 붉은기 커버 효과.',
      price: 48_000,
      discountPrice: 38_000,
      stock: 240,
    },
    {
      slug: 'laroche-posay-cicaplast-b5-100',
      name: '라로슈포제 시카플라스트 밤 B5+ 100ml',
      description: '판테놀 5%와 마데카소사이드로 손상된 피부 장벽을 진정·보호하는 멀티 리페어 밤. 아기부터 온 가족 사용.',
      price: 36_000,
      stock: 320,
    },
    {
      slug: 'hera-black-cushion',
      name: '헤라 블랙 쿠션 SPF34 PA++ (21N1 바닐라)',
      description: '얇고 가볍게 밀착되는 세미 매트 커버 쿠션. 최대 24시간 지속, 리필 포함 구성.',
      price: 66_000,
      discountPrice: 56_100,
      stock: 170,
    },
    {
      slug: 'jo-malone-english-pear-freesia-100',
      name: '조 말론 런던 잉글리쉬 페어 앤 프리지아 코롱 100ml',
      description: '잘 익은 서양배와 흰 프리지아, 파출리와 앰버가 어우러진 가을 과수원의 향. 선물 포장 가능.',
      price: 249_000,
      stock: 60,
    },
    {
      slug: 'diptyque-do-son-edt-100',
      name: 'Diptyque Do Son Eau de Toilette 100ml',
      description: 'A tuberose fragrance inspired by sea breezes on the Vietnamese coast: tuberose, orange blossom and pink pepper with a light musky base.',
      price: 260_000,
      stock: 32,
    },
    {
      slug: 'avene-thermal-spring-water-300',
      name: '아벤느 오 떼르말 미스트 300ml',
      description: '프랑스 아벤느 온천수 100%의 진정 미스트. 메이크업 위에도 수시로 뿌려 건조함과 열감을 식혀줍니다.',
      price: 25_000,
      discountPrice: 19_900,
      stock: 450,
    },
    {
      slug: 'clio-kill-cover-founwear-cushion',
      name: '클리오 킬커버 파운웨어 쿠션 올 뉴 (03 리넨)',
      description: '파운데이션급 커버력과 지속력의 쿠션. 무너짐 없이 오래가는 밀착 피니시, 본품+리필.',
      price: 36_000,
      discountPrice: 28_800,
      stock: 260,
    },
    {
      slug: 'romand-juicy-lasting-tint',
      name: '롬앤 쥬시 래스팅 틴트 (06 피기피그)',
      description: '과즙처럼 맑고 탱글한 광택의 워터 틴트. 입술에 착 붙는 밀착력으로 오래 유지되는 선명한 컬러.',
      price: 13_000,
      stock: 480,
    },
  ],
};

/**
 * Every product as `ProductService.create` takes it, with its category. Its
 * pictures are the ones the service draws, named by the product's id, so they
 * are attached once it exists (`useDrawnImages` in `load-demo.ts`).
 */
export function toProductInput(category: SeedCategory, p: SeedProduct): ProductInput {
  return {
    name: p.name,
    description: p.description,
    price: p.price,
    discountPrice: p.discountPrice ?? null,
    stock: p.stock,
    category,
    featured: p.featured ?? false,
  };
}

/** Gallery views beyond the main picture, by product name (products without a gallery are absent). */
export function demoGalleries(): Map<string, number> {
  const out = new Map<string, number>();
  for (const category of SEED_CATEGORIES) for (const p of SEED_CATALOG[category]) if (p.gallery) out.set(p.name, p.gallery);
  return out;
}

/**
 * The catalog in creation order: one product of each category in turn, so the
 * first page of `GET /products` (database order) shows a bit of everything.
 */
export function demoProducts(): ProductInput[] {
  const queues = SEED_CATEGORIES.map((category) => SEED_CATALOG[category].map((p) => toProductInput(category, p)));
  const out: ProductInput[] = [];
  for (let i = 0; queues.some((q) => i < q.length); i++) {
    for (const q of queues) if (i < q.length) out.push(q[i]);
  }
  return out;
}

/**
 * Demo first-come coupons (contract §8's COUPON_001… pattern): odd numbers FIXED
 * 5,000 won off orders from 50,000 won, even numbers PERCENTAGE 10 % off orders
 * from 20,000 won capped at 10,000 won; N × 100 units; open from the seed run for
 * 14–20 days. The test user holds the first three; the rest are left to claim,
 * among them COUPON_009 with only 3 units (it sells out in a demo).
 */
export interface SeedCoupon {
  code: string;
  name: string;
  description: string;
  discountType: 'FIXED' | 'PERCENTAGE';
  discountValue: number;
  minimumOrderAmount: number;
  maximumDiscountAmount: number;
  totalQuantity: number;
  durationDays: number;
  /** Issued to the test user by `db:seed` (the others are theirs to claim). */
  issuedToTestUser: boolean;
}

export const DEMO_COUPON_USER_ID = '00000000-0000-0000-0000-000000000001';

/** How many of the demo coupons the test user holds: COUPON_001 up to this one. */
const HELD_BY_TEST_USER = 3;

export const DEMO_COUPONS: readonly SeedCoupon[] = Array.from({ length: 9 }, (_, i): SeedCoupon => {
  const n = i + 1;
  const code = `COUPON_${String(n).padStart(3, '0')}`;
  const durationDays = 14 + (i % 7);
  const issuedToTestUser = n <= HELD_BY_TEST_USER;
  if (n === 9) {
    return {
      code,
      name: '선착순 3명 20,000원 할인 쿠폰',
      description: '100,000원 이상 주문 시 20,000원 할인 (선착순 3장 한정)',
      discountType: 'FIXED',
      discountValue: 20_000,
      minimumOrderAmount: 100_000,
      maximumDiscountAmount: 20_000,
      totalQuantity: 3,
      durationDays,
      issuedToTestUser,
    };
  }
  return n % 2 === 1
    ? {
        code,
        name: `5,000원 할인 쿠폰 #${n}`,
        description: '50,000원 이상 주문 시 5,000원 할인',
        discountType: 'FIXED',
        discountValue: 5_000,
        minimumOrderAmount: 50_000,
        maximumDiscountAmount: 5_000,
        totalQuantity: 100 * n,
        durationDays,
        issuedToTestUser,
      }
    : {
        code,
        name: `10% 할인 쿠폰 #${n}`,
        description: '20,000원 이상 주문 시 10% 할인 (최대 10,000원)',
        discountType: 'PERCENTAGE',
        discountValue: 10,
        minimumOrderAmount: 20_000,
        maximumDiscountAmount: 10_000,
        totalQuantity: 100 * n,
        durationDays,
        issuedToTestUser,
      };
});

/**
 * Demo time deals, by product name from the catalog above: two running
 * from an hour before the seed run for a day — the first open to anyone, the
 * second behind a waiting room (only buyers it admitted may buy) — and one
 * starting a day later for 12 hours, so the storefront's deal pages have
 * something to show. Quantities stay well below the products' stock (the deal
 * takes them from it).
 */
export interface SeedTimeDeal {
  name: string;
  description: string;
  /** Start relative to the seed run (negative: already running). */
  startsInHours: number;
  durationHours: number;
  products: { productName: string; dealPrice: number; dealQuantity: number; maxPerUser: number }[];
  /** A waiting room (`TIMEDEAL/{dealId}`) in front of the deal, with these settings. */
  waitingRoom?: { maxCapacity: number; entryBatchSize: number; entryIntervalSeconds: number; entryTtlSeconds: number };
}

export const DEMO_TIME_DEALS: readonly SeedTimeDeal[] = [
  {
    name: '오늘의 타임딜',
    description: '24시간 한정! 인기 음향·주변기기 최대 42% 할인',
    startsInHours: -1,
    durationHours: 24,
    products: [
      { productName: '에어팟 프로 2세대 (USB-C)', dealPrice: 269_000, dealQuantity: 50, maxPerUser: 1 },
      { productName: 'Logitech MX Master 3S', dealPrice: 99_000, dealQuantity: 100, maxPerUser: 2 },
      { productName: '갤럭시 버즈 FE', dealPrice: 69_000, dealQuantity: 80, maxPerUser: 2 },
    ],
  },
  {
    name: '대기열 한정 타임딜',
    description: '대기열 입장 후 구매할 수 있는 한정 특가! 갤럭시·다이슨·나이키 최대 29% 할인',
    startsInHours: -1,
    durationHours: 24,
    products: [
      { productName: '갤럭시 S24 울트라 256GB', dealPrice: 1_199_000, dealQuantity: 30, maxPerUser: 1 },
      { productName: '다이슨 에어랩 멀티 스타일러 컴플리트 롱', dealPrice: 589_000, dealQuantity: 20, maxPerUser: 1 },
      { productName: '나이키 덩크 로우 레트로 블랙 화이트', dealPrice: 99_000, dealQuantity: 50, maxPerUser: 2 },
    ],
    // Five buyers in every 5 seconds, at most 20 shopping at once, each for up to 10 minutes.
    waitingRoom: { maxCapacity: 20, entryBatchSize: 5, entryIntervalSeconds: 5, entryTtlSeconds: 600 },
  },
  {
    name: '주말 특가 타임딜',
    description: '내일 오픈! 태블릿·헤드폰 한정 수량 특가',
    startsInHours: 24,
    durationHours: 12,
    products: [
      { productName: '아이패드 에어 11 M2 Wi-Fi 128GB', dealPrice: 749_000, dealQuantity: 20, maxPerUser: 1 },
      { productName: 'Sony WH-1000XM5 Wireless Headphones', dealPrice: 339_000, dealQuantity: 30, maxPerUser: 1 },
    ],
  },
];
