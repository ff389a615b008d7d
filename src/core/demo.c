#include "core/demo.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* splitmix64: a tiny, well-known mixer; each field draws from its own stream */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t pick(uint64_t i, unsigned stream, uint64_t n)
{
	return mix(i * 64 + stream) % n;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Russian surnames are given in the masculine form; feminine adds "а". */
static const char *const ru_last[] = {
	"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
	"Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
	"Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
	"Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв",
	"Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
	"Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев",
	"Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев",
	"Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков", "Миронов",
};
static const char *const ru_first_m[] = {
	"Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья", "Кирилл",
	"Михаил", "Никита", "Матвей", "Роман", "Егор", "Арсений", "Иван", "Денис", "Евгений",
	"Даниил", "Тимофей", "Владимир", "Павел", "Олег", "Николай", "Юрий", "Виктор",
};
static const char *const ru_first_f[] = {
	"Анастасия", "Мария", "Анна", "Виктория", "Екатерина", "Наталья", "Марина", "Полина",
	"Дарья", "Алиса", "Ксения", "Елена", "Ольга", "Татьяна", "Ирина", "Светлана", "Юлия",
	"Софья", "Вера", "Людмила", "Галина", "Надежда", "Валентина", "Алёна",
};
static const char *const ru_patr_m[] = {
	"Александрович", "Дмитриевич", "Сергеевич", "Андреевич", "Алексеевич", "Иванович",
	"Михайлович", "Николаевич", "Владимирович", "Павлович", "Викторович", "Юрьевич",
	"Олегович", "Евгеньевич", "Петрович", "Борисович",
};
static const char *const ru_patr_f[] = {
	"Александровна", "Дмитриевна", "Сергеевна", "Андреевна", "Алексеевна", "Ивановна",
	"Михайловна", "Николаевна", "Владимировна", "Павловна", "Викторовна", "Юрьевна",
	"Олеговна", "Евгеньевна", "Петровна", "Борисовна",
};
static const char *const ru_translit_first[] = {"ivan", "anna", "olga", "sergey", "maria", "pavel"};
static const char *const ru_cities[] = {"Москва", "Санкт-Петербург", "Казань", "Новосибирск",
					"Екатеринбург", "Нижний Новгород", "Самара", "Краснодар"};
static const char *const ru_tz[] = {"Europe/Moscow", "Europe/Moscow", "Europe/Moscow",
				    "Asia/Novosibirsk", "Asia/Yekaterinburg", "Europe/Moscow",
				    "Europe/Samara", "Europe/Moscow"};

static const char *const zh_last[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
				      "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
				      "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹"};
static const char *const zh_first_m[] = {"伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超",
					 "刚", "平", "辉", "鹏", "华", "飞", "浩然", "子轩", "宇轩", "俊杰"};
static const char *const zh_first_f[] = {"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "玲",
					 "婷", "雪", "慧", "颖", "欣怡", "梓涵", "诗涵", "雨萱", "佳怡", "晓燕"};
static const char *const zh_cities[] = {"北京", "上海", "广州", "深圳", "成都", "杭州"};

static const char *const en_last[] = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller",
				      "Davis", "Wilson", "Taylor", "Clark", "Walker", "Wright",
				      "Thompson", "White", "Harris", "Martin", "Cooper", "Evans",
				      "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris"};
static const char *const en_first_m[] = {"James", "John", "Robert", "Michael", "David", "William",
					 "Richard", "Thomas", "Daniel", "Matthew", "George", "Oliver"};
static const char *const en_first_f[] = {"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth",
					 "Susan", "Jessica", "Sarah", "Emily", "Olivia", "Emma", "Charlotte"};
static const char *const en_cities[] = {"London", "Manchester", "Edinburgh", "Dubai", "Moscow"};
static const char *const en_tz[] = {"Europe/London", "Europe/London", "Europe/London", "Asia/Dubai",
				    "Europe/Moscow"};
static const char *const mail_domains[] = {"mail.ru", "yandex.ru", "gmail.com", "example.com",
					   "qq.com", "163.com"};

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

void demo_person(uint64_t i, struct demo_person *p)
{
	memset(p, 0, sizeof *p);
	uint64_t kind = pick(i, 0, 100);
	bool female = pick(i, 1, 2) == 0;
	copy(p->sex, sizeof p->sex, female ? "F" : "M");

	/* born 1940..2024, any valid day */
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int year = 1940 + (int)pick(i, 2, 85);
	int month = 1 + (int)pick(i, 3, 12);
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	int dim = mdays[month - 1] + (month == 2 && leap);
	int day = 1 + (int)pick(i, 4, (uint64_t)dim);
	snprintf(p->birth_date, sizeof p->birth_date, "%04u-%02u-%02u", (unsigned)year % 10000u,
		 (unsigned)month % 100u, (unsigned)day % 100u);

	uint64_t num = pick(i, 5, 10000000);
	if (kind < 60) {
		const char *last = ru_last[pick(i, 6, N(ru_last))];
		if (female)
			snprintf(p->last_name, sizeof p->last_name, "%sа", last);
		else
			copy(p->last_name, sizeof p->last_name, last);
		copy(p->first_name, sizeof p->first_name,
		     female ? ru_first_f[pick(i, 7, N(ru_first_f))] : ru_first_m[pick(i, 7, N(ru_first_m))]);
		copy(p->middle_name, sizeof p->middle_name,
		     female ? ru_patr_f[pick(i, 8, N(ru_patr_f))] : ru_patr_m[pick(i, 8, N(ru_patr_m))]);
		snprintf(p->phone, sizeof p->phone, "+79%02u%07llu", (unsigned)pick(i, 9, 100),
			 (unsigned long long)num);
		size_t c = pick(i, 10, N(ru_cities));
		copy(p->city, sizeof p->city, ru_cities[c]);
		copy(p->time_zone, sizeof p->time_zone, ru_tz[c]);
		copy(p->language, sizeof p->language, "ru");
		if (pick(i, 11, 3))
			snprintf(p->email, sizeof p->email, "%s.%llu@%s",
				 ru_translit_first[pick(i, 12, N(ru_translit_first))],
				 (unsigned long long)i, mail_domains[pick(i, 13, 3)]);
	} else if (kind < 85) {
		copy(p->last_name, sizeof p->last_name, zh_last[pick(i, 6, N(zh_last))]);
		copy(p->first_name, sizeof p->first_name,
		     female ? zh_first_f[pick(i, 7, N(zh_first_f))] : zh_first_m[pick(i, 7, N(zh_first_m))]);
		snprintf(p->phone, sizeof p->phone, "+861%02u%08llu", 30 + (unsigned)pick(i, 9, 60),
			 (unsigned long long)(num * 7 % 100000000));
		copy(p->city, sizeof p->city, zh_cities[pick(i, 10, N(zh_cities))]);
		copy(p->time_zone, sizeof p->time_zone, "Asia/Shanghai");
		copy(p->language, sizeof p->language, "zh");
		if (pick(i, 11, 2))
			snprintf(p->email, sizeof p->email, "user%llu@%s", (unsigned long long)i,
				 mail_domains[4 + pick(i, 13, 2)]);
	} else {
		const char *first = female ? en_first_f[pick(i, 7, N(en_first_f))]
					   : en_first_m[pick(i, 7, N(en_first_m))];
		const char *last = en_last[pick(i, 6, N(en_last))];
		copy(p->last_name, sizeof p->last_name, last);
		copy(p->first_name, sizeof p->first_name, first);
		snprintf(p->phone, sizeof p->phone, "+447%03u%06llu", (unsigned)pick(i, 9, 1000),
			 (unsigned long long)(num % 1000000));
		size_t c = pick(i, 10, N(en_cities));
		copy(p->city, sizeof p->city, en_cities[c]);
		copy(p->time_zone, sizeof p->time_zone, en_tz[c]);
		copy(p->language, sizeof p->language, "en");
		char lf = (char)(first[0] - 'A' + 'a');
		char ll = (char)(last[0] - 'A' + 'a');
		snprintf(p->email, sizeof p->email, "%c%c%s%llu@%s", lf, ll, "", (unsigned long long)i,
			 mail_domains[2 + pick(i, 13, 2)]);
	}
}

const struct demo_insurer demo_insurers[] = {
	{"NORD", "Северная страховая компания"},
	{"HXM", "华夏互助保险"},
	{"ALB", "Albion Assurance"},
};
const size_t demo_insurers_count = N(demo_insurers);


const struct demo_provider demo_providers[] = {
	{"MSK-CLIN-01", "Клиника «Медицина на Тверской»", "clinic", "Москва", 55764500, 37605900, "+74951234501"},
	{"MSK-CLIN-02", "Семейная клиника «Здоровье»", "clinic", "Москва", 55729800, 37571200, "+74951234502"},
	{"MSK-PHARM-01", "Аптека №12", "pharmacy", "Москва", 55751200, 37618300, "+74951234503"},
	{"MSK-TOW-01", "Эвакуатор 24", "tow_truck", "Москва", 55801000, 37532000, "+74951234504"},
	{"SPB-CLIN-01", "Клиника «Невский»", "clinic", "Санкт-Петербург", 59934300, 30335100, "+78121234501"},
	{"SPB-DENT-01", "Стоматология «Белые ночи»", "dentistry", "Санкт-Петербург", 59939000, 30315800, "+78121234502"},
	{"KZN-CLIN-01", "Клиника «Казань-Мед»", "clinic", "Казань", 55796100, 49106400, "+78431234501"},
	{"NSK-HOSP-01", "Городская больница №1", "hospital", "Новосибирск", 55030200, 82920400, "+73831234501"},
	{"EKB-REPAIR-01", "Автосервис «Урал»", "repair", "Екатеринбург", 56838000, 60597300, "+73431234501"},
	{"BJ-HOSP-01", "北京协和医院国际部", "hospital", "北京", 39912200, 116417100, "+861069151234"},
	{"BJ-CLIN-01", "北京和睦家诊所", "clinic", "北京", 39958600, 116465300, "+861059271234"},
	{"SH-HOSP-01", "上海瑞金医院", "hospital", "上海", 31211900, 121466900, "+862164371234"},
	{"SH-PHARM-01", "上海第一医药商店", "pharmacy", "上海", 31235400, 121474300, "+862163221234"},
	{"GZ-CLIN-01", "广州中山诊所", "clinic", "广州", 23129100, 113264400, "+862087331234"},
	{"LON-CLIN-01", "Harley Street Medical Centre", "clinic", "London", 51520800, -147300, "+442071234501"},
	{"LON-TOW-01", "London Recovery Services", "tow_truck", "London", 51507400, -127800, "+442071234502"},
	{"DXB-HOSP-01", "Dubai Central Hospital", "hospital", "Dubai", 25204800, 55270800, "+97141234501"},
};
const size_t demo_providers_count = N(demo_providers);

const struct demo_staff demo_staff[] = {
	{"admin", "admin", "Admin Adminov", "en", NULL},
	{"operator", "operator", "Ольга Операторова", "ru", "assistance"},
	{"manager", "case_manager", "Павел Менеджеров", "ru", "assistance"},
	{"reviewer", "reviewer", "李审核", "zh", "claims"},
	{"finance", "finance", "Fiona Finch", "en", "finance"},
	{"supervisor", "supervisor", "Светлана Старшая", "ru", "assistance"},
};
const size_t demo_staff_count = N(demo_staff);
